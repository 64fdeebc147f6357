/**
 * A run creates its output folder and the state file's folder with Node's
 * recursive mkdir, which under /proc spins forever (mkdir there answers
 * ENOENT though the parent exists), blocking the event loop and so deaf to
 * SIGTERM. Whether a folder can be made is decided first, from its nearest
 * existing ancestor, and refused with a message naming both.
 */
import { constants } from "node:fs";
import { access, stat, statfs } from "node:fs/promises";
import { dirname } from "node:path";
import { ShotlistError, coerceError } from "../errors.js";

/** Linux's filesystems of kernel views and controls (linux/magic.h): none holds files a run could write. */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, "proc"],
  [0x62656572, "sysfs"],
  [0x27e0eb, "cgroup"],
  [0x63677270, "cgroup2"],
  [0x64626720, "debugfs"],
  [0x74726163, "tracefs"],
  [0x73636673, "securityfs"],
  [0xf97cff8c, "selinuxfs"],
  [0x1cd1, "devpts"],
  [0x6165676c, "pstore"],
  [0xcafe4a11, "bpf"],
  [0x62656570, "configfs"],
  [0xde5e81e4, "efivarfs"],
  [0x65735543, "fusectl"],
  [0x42494e4d, "binfmt_misc"],
  [0x19800202, "mqueue"],
  [0x6e736673, "nsfs"],
]);

/**
 * Refuses `folder` unless its nearest existing ancestor (itself, when it
 * exists) is a writable folder on a filesystem that holds files. `what` names
 * it for the user: "output folder", "state file's folder".
 */
export async function checkFolderCanBeMade(folder: string, what: string): Promise<void> {
  const { path: ancestor, isFolder } = await nearestExisting(folder, what);
  const refuse = (code: "usage" | "disk", why: string): ShotlistError => refusal(folder, what, code, why);
  if (!isFolder) throw refuse("usage", `${ancestor} is not a folder`);
  const pseudo = process.platform === "linux" ? PSEUDO_FILESYSTEMS.get((await statfs(ancestor)).type) : undefined;
  if (pseudo !== undefined) throw refuse("usage", `${ancestor} is on the ${pseudo} filesystem, which holds no files; choose a folder on a disk`);
  try {
    await access(ancestor, constants.W_OK);
  } catch (err) {
    throw refuse("disk", `${ancestor} is not writable (${(err as NodeJS.ErrnoException).code ?? coerceError(err).message})`);
  }
}

async function nearestExisting(folder: string, what: string): Promise<{ path: string; isFolder: boolean }> {
  for (let path = folder; ; path = dirname(path)) {
    try {
      return { path, isFolder: (await stat(path)).isDirectory() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a file on the way; the walk reaches it and refuses it as not a folder.
      const missing = code === "ENOENT" || code === "ENOTDIR";
      if (!missing || dirname(path) === path) throw refusal(folder, what, "disk", coerceError(err).message);
    }
  }
}

function refusal(folder: string, what: string, code: "usage" | "disk", why: string): ShotlistError {
  return new ShotlistError(code, `cannot create the ${what} ${folder}: ${why}`);
}
