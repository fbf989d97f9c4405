// Every tenant restored from one golden snapshot wakes with the same kernel random state: the
// same CRNG key, so the same "random" bytes until the kernel next reseeds on its own. After
// each start the worker sends fresh host entropy over the control channel; the guest credits
// it to its input pool (RNDADDENTROPY) and reseeds its CRNG at once (RNDRESEEDCRNG), so
// keys, nonces and ASLR offsets drawn from then on are the tenant's own. Perl (Essential in
// Debian, so in every guest) makes the two ioctls; a shell cannot.
import { randomBytes } from "node:crypto";

/** Bytes of host entropy per start: a full CRNG key's worth, twice over. */
export const seedBytes = 64;

// From <linux/random.h>: _IOW('R', 0x03, int[2]) and _IO('R', 0x07).
const RNDADDENTROPY = 0x40085203;
const RNDRESEEDCRNG = 0x5207;

/** A guest shell script that feeds `seed` to the kernel and reseeds; fails loudly. */
export function reseedScript(seed: Buffer = randomBytes(seedBytes)): string {
  if (seed.length < 32) throw new Error("a reseed needs at least 32 bytes of entropy");
  const perl = [
    "binmode STDIN; local $/; my $s = <STDIN>;",
    'open(my $r, ">", "/dev/urandom") or die "urandom: $!\\n";',
    // struct rand_pool_info { int entropy_count (bits); int buf_size; __u32 buf[]; }
    `ioctl($r, ${RNDADDENTROPY}, pack("ii", 8 * length($s), length($s)) . $s) or die "RNDADDENTROPY: $!\\n";`,
    `ioctl($r, ${RNDRESEEDCRNG}, 0) or die "RNDRESEEDCRNG: $!\\n";`,
  ].join(" ");
  return `printf %s '${seed.toString("base64")}' | base64 -d | perl -e '${perl}'`;
}
