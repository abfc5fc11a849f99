/**
 * The one progress shape of every long library call (mining, evaluation, dataset environments, labelling, image
 * builds and pulls): the count up front, what an item is doing now (minutes, at times: say so), and each item's end
 * with its result. One shape, so one renderer (the CLI's bar, a log line, a web UI) serves every command.
 */
export type ProgressEvent<TResult = never> =
  /** `skipped`: items a resumed run already has. */
  | { type: 'start'; total: number; skipped?: number }
  /** `id` names the item (an instance id, a commit, an image tag); `what` is a short human phrase or a log line. */
  | { type: 'working'; id: string; what: string }
  /** `done` counts finished items of this call; `total` as announced by `start` (absent when open: a queue worker). */
  | { type: 'done'; id: string; result: TResult; done: number; total?: number };

export type OnProgress<TResult = never> = (event: ProgressEvent<TResult>) => void;
