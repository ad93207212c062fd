// Two servers on one port would fail to start (or worse, share a database), so every port is distinct.
import { describe, expect, it } from "vitest";
import { E2E_PG_PORT, EMBEDDED_PG_PORT, OWN_PG_PORTS } from "./ports";

describe("Postgres ports", () => {
  it("are distinct and below the ephemeral range", () => {
    const ports = [EMBEDDED_PG_PORT, E2E_PG_PORT, ...Object.values(OWN_PG_PORTS)];
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) expect(port).toBeLessThan(32_768);
  });
});
