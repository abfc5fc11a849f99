import type { Command } from '../command.js';
import { parseRoles, runWorkers, WORKER_ROLES, workerOptions } from '../workers.js';

/** `repoforge worker`: one process that takes evaluation and mining jobs, for systemd or a container. */
export const workerCommand: Command = {
  name: 'worker',
  summary: `take queued jobs of the given roles (${WORKER_ROLES.join(', ')}) until SIGTERM, then drain`,
  examples: [
    'repoforge worker --queue redis://10.0.0.5:6379 --roles eval,mine --env-registry 10.0.0.5:5000/repoforge --health-port 8080',
  ],
  options: {
    roles: {
      type: 'string',
      value: 'ROLE,...',
      description: 'what to take',
      default: WORKER_ROLES.join(','),
    },
    ...workerOptions('jobs'),
  },
  run: ({ io, values, signal, verbose }) =>
    runWorkers(parseRoles(values.roles), { io, values, signal, verbose }),
};
