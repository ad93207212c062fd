import Link from "next/link";

/** Page links that keep every other URL parameter (filters, sort). */
export function Pagination({
  page,
  pages,
  total,
  hrefFor,
}: {
  page: number;
  pages: number;
  total: number;
  hrefFor: (page: number) => string;
}) {
  const around = [...new Set([1, page - 1, page, page + 1, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  return (
    <nav className="pagination" aria-label="Pages">
      <span className="muted">
        {total} run{total === 1 ? "" : "s"} · page {page} of {pages}
      </span>
      {page > 1 ? <Link href={hrefFor(page - 1)}>‹ Previous</Link> : <span className="muted">‹ Previous</span>}
      {around.map((p, i) => (
        <span key={p}>
          {i > 0 && around[i - 1] !== p - 1 ? <span className="muted">… </span> : null}
          {p === page ? (
            <b aria-current="page">{p}</b>
          ) : (
            <Link href={hrefFor(p)} aria-label={`Page ${p}`}>
              {p}
            </Link>
          )}
        </span>
      ))}
      {page < pages ? <Link href={hrefFor(page + 1)}>Next ›</Link> : <span className="muted">Next ›</span>}
    </nav>
  );
}
