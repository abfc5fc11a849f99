/**
 * @repoforge/sandbox — in progress: nothing exported yet (see the README's status).
 */
export type {};
