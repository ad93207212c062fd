// MLflow's tracking REST API (2.0) for outside trainers (verl, TRL, OpenRLHF, mlflow's own client):
// MLFLOW_TRACKING_URI=http://<dashboard> and MLFLOW_TRACKING_TOKEN=<token>. See server/ingest/mlflow.
// Relative, not "@/": vitest (which imports this file in tests) does not read tsconfig paths.
import { handleMlflowRequest } from "../../../../../server/ingest/mlflow/router";

export const dynamic = "force-dynamic";

const handler = (req: Request) => handleMlflowRequest(req);

export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE };
