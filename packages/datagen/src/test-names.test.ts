import { LOG_PARSERS } from '@repoforge/harness';
import { describe, expect, it } from 'vitest';
import { swebenchNamer } from './test-names.js';

// What Python 3.11's unittest prints for django: a docstring-ed test as its name line, then the docstring line.
const LOG = [
  'test_plain (migrations.test_autodetector.AutodetectorTests.test_plain) ... ok',
  'test_next_line (migrations.test_autodetector.AutodetectorTests.test_next_line)',
  'Removing a base field takes place before adding a new inherited model ... ok',
  'test_same_line (migrations.test_autodetector.AutodetectorTests.test_same_line)',
  'Renames are detected. ... FAIL',
].join('\n');

const SOURCE = `
class AutodetectorTests(TestCase):
    def test_plain(self):
        pass

    def test_next_line(self):
        """
        Removing a base field takes place before adding a new inherited model
        that has a field with the same name.
        """

    def test_same_line(self):
        """Renames are detected."""
`;

const read = async (path: string) => (path === 'tests/migrations/test_autodetector.py' ? SOURCE : undefined);

describe('swebenchNamer', () => {
  it('django < 4.0 (SWE-bench on Python 3.6): a docstring shows only when its text starts on its first line', async () => {
    const names = await swebenchNamer(
      'django/django',
      '3.2',
      read,
    )(LOG_PARSERS.parse_log_django!(LOG, {}), LOG);
    expect(names).toEqual({
      'test_plain (migrations.test_autodetector.AutodetectorTests)': 'PASSED',
      'test_next_line (migrations.test_autodetector.AutodetectorTests)': 'PASSED',
      'Renames are detected.': 'FAILED',
    });
  });

  it('django 5.0 (SWE-bench on Python 3.11): names spelled as 3.11 prints them, docstring-ed tests by docstring', async () => {
    const names = await swebenchNamer(
      'django/django',
      '5.0',
      read,
    )(LOG_PARSERS.parse_log_django!(LOG, {}), LOG);
    expect(names).toEqual({
      'test_plain (migrations.test_autodetector.AutodetectorTests.test_plain)': 'PASSED',
      'Removing a base field takes place before adding a new inherited model': 'PASSED',
      'Renames are detected.': 'FAILED',
    });
  });

  it('django 4.x (Python 3.8/3.9): every docstring-ed test by its docstring line, once', async () => {
    const names = await swebenchNamer(
      'django/django',
      '4.1',
      read,
    )(LOG_PARSERS.parse_log_django!(LOG, {}), LOG);
    expect(names).toEqual({
      'test_plain (migrations.test_autodetector.AutodetectorTests)': 'PASSED',
      'Removing a base field takes place before adding a new inherited model': 'PASSED',
      'Renames are detected.': 'FAILED',
    });
  });
});
