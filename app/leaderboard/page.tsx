export default function LeaderboardPage() {
  return (
    <>
      <h1>Leaderboard</h1>
      <p className="muted">
        Base models ranked by Model Collapse Step: the first step at which majority-vote training&apos;s reward accuracy
        falls below 1%.
      </p>
    </>
  );
}
