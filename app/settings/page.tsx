import { TokensPanel } from "./tokens-panel";

export default function SettingsPage() {
  return (
    <>
      <h1>Settings</h1>
      <h2>API tokens</h2>
      <p className="muted">
        Runners on other machines and outside trainers (verl, TRL, OpenRLHF through the MLflow API) authenticate with an
        API token: <code>MLFLOW_TRACKING_TOKEN=&lt;secret&gt;</code>. The secret is shown once, when the token is created;
        only its hash is stored. Revoking a token stops it at once.
      </p>
      <TokensPanel />
    </>
  );
}
