// Where a job comes from: its repository and a link to its run on GitHub (opened in the browser).
export function JobOrigin({ repository, runUrl }: { repository?: string; runUrl?: string }) {
  if (!repository) return <span className="muted">—</span>;
  return (
    <span data-testid="job-origin">
      {repository}
      {runUrl && (
        <>
          {' '}
          <a href={runUrl} target="_blank" rel="noreferrer" title={runUrl}>
            run ↗
          </a>
        </>
      )}
    </span>
  );
}
