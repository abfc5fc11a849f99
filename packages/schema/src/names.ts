import { z } from 'zod';

const UNSAFE = /[/\\\0]/;

/**
 * An instance id: SWE-bench makes it a folder name (`logs/run_evaluation/<run>/<model>/<id>`), so it must be
 * one path segment — a dataset row naming `../../x` must not write outside the report dir.
 */
export const InstanceId = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (s) => !UNSAFE.test(s) && s !== '.' && s !== '..',
    'must be usable as a folder name (no / \\ or NUL, not . or ..)',
  );

/** A model name: SWE-bench's folder for it turns `/` into `__`, so only `\`, NUL, `.` and `..` are unsafe. */
export const ModelName = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => {
    const dir = s.replaceAll('/', '__');
    return !/[\\\0]/.test(dir) && dir !== '.' && dir !== '..';
  }, 'must be usable as a folder name once / becomes __ (no \\ or NUL, not . or ..)');
