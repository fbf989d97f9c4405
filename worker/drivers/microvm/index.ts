// The microvm sandbox driver: a QEMU microvm with its own kernel and engine per tenant.
export { MicrovmDriver, type MicrovmDriverOptions, type StartRecord } from "./microvm-driver.ts";
