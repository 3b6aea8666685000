// Where a job comes from, read from the runner's own diagnostics: at job start the worker traces
// its job message (`… INFO Worker] Job message:` and the message as JSON on the lines after it) to
// _diag/Worker_<stamp>-utc.log. The message's contextData carries the `github` context in the
// runner's dictionary form, `{"t": 2, "d": [{"k": "repository", "v": "octo/app"}, …]}`. Only the
// repository and the run are taken; everything else (masked secrets included) is dropped here.

export interface JobDetails {
  /** `owner/name`. */
  repository: string;
  runId?: string;
  /** The run on GitHub, e.g. https://github.com/octo/app/actions/runs/123 (only an http(s) server). */
  runUrl?: string;
}

/** A context value: a string is itself; a dictionary is `{d: [{k, v}]}` (its `t` varies by kind). */
function dictionary(value: unknown): Map<string, unknown> | undefined {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { d?: unknown }).d)) return undefined;
  const out = new Map<string, unknown>();
  for (const entry of (value as { d: unknown[] }).d) {
    if (entry && typeof entry === 'object' && typeof (entry as { k?: unknown }).k === 'string') out.set((entry as { k: string }).k, (entry as { v?: unknown }).v);
  }
  return out;
}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** The job message's JSON (the text after the `Job message:` line) to the job's origin, or undefined. */
export function parseJobMessage(json: string): JobDetails | undefined {
  let message: unknown;
  try {
    message = JSON.parse(json);
  } catch {
    return undefined;
  }
  const context = (message as { contextData?: Record<string, unknown> } | null)?.contextData;
  const github = dictionary(context?.github);
  const repository = github?.get('repository');
  if (typeof repository !== 'string' || !REPOSITORY.test(repository)) return undefined;
  const runId = github?.get('run_id');
  const server = github?.get('server_url');
  const details: JobDetails = { repository };
  if (typeof runId === 'string' && /^\d+$/.test(runId)) {
    details.runId = runId;
    if (typeof server === 'string' && /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(server)) {
      details.runUrl = `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}`;
    }
  }
  return details;
}
