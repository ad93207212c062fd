import { HealthPanel } from "./health-panel";

export default function HealthPage() {
  return (
    <>
      <h1>Health</h1>
      <HealthPanel />
    </>
  );
}
