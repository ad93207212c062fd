// Where `npm start` may listen: loopback always; any other address only with an admin password.
import { describe, expect, it } from "vitest";
import { isLoopbackHost, listenRefusal } from "./listen";

describe("listenRefusal", () => {
  it("allows loopback addresses without a password", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(listenRefusal(host, undefined), host).toBeNull();
    }
  });

  it("refuses every other address without a password, in one sentence that says how to set one", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "lab.example.org"]) {
      expect(isLoopbackHost(host), host).toBe(false);
      const refusal = listenRefusal(host, "") ?? "";
      expect(refusal, host).toContain(`refusing to listen on ${host} without an admin password`);
      expect(refusal).toContain(`URLVR_ADMIN_PASSWORD=<password> npm start -- --host ${host}`);
      expect(refusal.trim().split(/(?<=\.)\s+(?=[A-Z])/)).toHaveLength(1);
      expect(listenRefusal(host, "correct horse"), host).toBeNull();
    }
  });

  it("refuses an empty host", () => {
    expect(listenRefusal("  ", "pw")).toMatch(/--host must name an address/);
  });
});
