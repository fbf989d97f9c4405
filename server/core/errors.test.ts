import { describe, expect, it } from "vitest";
import { describeError } from "../../common/errors.ts";
import { connectTestDb } from "../../test/db.ts";

const db = connectTestDb();

describe("describeError", () => {
  it("gives a Prisma error's reason, not its name or a blank line", async () => {
    const error = await db.$queryRawUnsafe("SELECT * FROM no_such_table").catch((e) => e);
    const line = describeError(error);
    expect(line).not.toMatch(/^PrismaClient|^Invalid|\n/);
    expect(line).toMatch(/no_such_table/);
  });

  it.each([
    [new Error("first\nsecond"), "first"],
    [
      new Error(
        "\n\nInvalid `prisma.task.findMany()` invocation:\n\n\nServer has closed the connection.",
      ),
      "Server has closed the connection.",
    ],
    [new Error(""), "Error"],
    [{ message: "\nplain object" }, "plain object"],
    [new AggregateError([new Error("inner")]), "inner"],
  ])("%o reads as %s", (error, expected) => {
    expect(describeError(error)).toBe(expected);
  });
});
