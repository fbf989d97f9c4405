// A lock between processes on one machine: a file created exclusively, holding the owner's
// pid. A lock whose owner died is taken over. It only spares duplicate work: two holders at
// once (a rare race when taking over a dead owner's lock) must still be harmless.
import { open, readFile, unlink } from "node:fs/promises";

const pollMs = 250;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function tryAcquire(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, "wx");
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const owner = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
    // An empty file is a lock being written right now: wait for it.
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      await unlink(lockPath).catch(() => {});
    }
    return false;
  }
}

/** Runs `work` while holding the lock at `lockPath`; `onWait` is called once if it must wait. */
export async function withFileLock<T>(
  lockPath: string,
  work: () => Promise<T>,
  onWait?: () => void,
): Promise<T> {
  let waited = false;
  while (!(await tryAcquire(lockPath))) {
    if (!waited) onWait?.();
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => {});
  }
}
