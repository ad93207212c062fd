export default function RunsPage() {
  return (
    <>
      <h1>Runs</h1>
      <p className="muted">No runs yet. Launch a grid of runs from the Launch page.</p>
    </>
  );
}
