// Every Postgres port the project starts a server on, named once. All are below 32768: the ephemeral
// port range here starts there, and a server there collides with outgoing sockets. Tests and
// benchmarks that stop and start a server of their own each have a port of their own, so files that
// run at once never share one (scripts/lib/ports.test.ts checks they are distinct).

/** `npm start`'s embedded Postgres; URLVR_PG_PORT overrides it. */
export const EMBEDDED_PG_PORT = 15432;

/** The product the Playwright tests start (playwright.config.ts); E2E_PG_PORT overrides it. */
export const E2E_PG_PORT = 15441;

/** The test suite's shared Postgres takes the first free port in this range; URLVR_TEST_PG_PORT overrides it. */
export const TEST_PG_PORT_RANGE = { from: 15440, to: 15999 } as const;

/** Servers of their own, for test files that cause outages and for benchmarks; BENCH_PG_PORT overrides a benchmark's. */
export const OWN_PG_PORTS = {
  ingestMetricsTest: 25_611,
  bufferedWriterTest: 25_613,
  runnerFaultsTest: 25_641,
  serverFailuresTest: 25_677,
  ingestBench: 25_690,
  claimBench: 25_692,
  dashboardBench: 15_490,
} as const;
