export default function LaunchPage() {
  return (
    <>
      <h1>Launch runs</h1>
      <p className="muted">Choose base models, reward methods, dataset sizes and seeds; every combination becomes one run.</p>
    </>
  );
}
