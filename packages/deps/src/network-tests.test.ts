import { describe, expect, it } from 'vitest';
import { testsNeedingNetwork } from './network-tests.js';

const JEST = `
FAIL tests/fetchStats.test.js
  fetchStats
    ✓ should fetch correct stats (12 ms)
    ✕ should fetch the real api (31 ms)
    ✕ should throw on a bad user (4 ms)

  ● fetchStats › should fetch the real api

    getaddrinfo ENOTFOUND api.github.com

      at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:107:26)

  ● fetchStats › should throw on a bad user

    expect(received).rejects.toThrow()

    Received promise resolved instead of rejected

Tests:       2 failed, 1 passed, 3 total
`;

const MOCHA = `
  app
    ✓ should inherit from event emitter
    1) should download from a mirror
    2) should 404 without routes

  1 passing (20ms)
  2 failing

  1) app
       should download from a mirror:
     Error: getaddrinfo EAI_AGAIN registry.example.org
      at GetAddrInfoReqWrap.onlookup (dns.js:67:26)

  2) app
       should 404 without routes:
     Error: expected 404 "Not Found", got 200 "OK"
`;

const PYTEST = `
tests/test_api.py::test_local PASSED
tests/test_api.py::test_remote FAILED
tests/test_api.py::test_parse FAILED
=========================== short test summary info ============================
PASSED tests/test_api.py::test_local
FAILED tests/test_api.py::test_remote - requests.exceptions.ConnectionError: HTTPSConnectionPool(host='httpbin.org', port=443): Max retries exceeded with url: /get (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution'))
FAILED tests/test_api.py::test_parse - AssertionError: assert 1 == 2
`;

const UNITTEST = `
test_fetch (urls.tests.RemoteTests) ... ERROR
test_local (urls.tests.RemoteTests) ... FAIL

======================================================================
ERROR: test_fetch (urls.tests.RemoteTests)
----------------------------------------------------------------------
Traceback (most recent call last):
urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>

======================================================================
FAIL: test_local (urls.tests.RemoteTests)
----------------------------------------------------------------------
AssertionError: 1 != 2
`;

describe('testsNeedingNetwork', () => {
  it('finds the jest test whose failure is a DNS error, and not its neighbour', () => {
    const names = {
      'should fetch correct stats': 'PASSED',
      'should fetch the real api': 'FAILED',
      'should throw on a bad user': 'FAILED',
    };
    expect(testsNeedingNetwork(JEST, names)).toEqual(['should fetch the real api']);
  });

  it('reads Multi-SWE-bench jest names (`file:title`) and the file-level entry', () => {
    const names = {
      'tests/fetchStats.test.js': 'FAILED',
      'tests/fetchStats.test.js:should fetch the real api': 'FAILED',
      'tests/fetchStats.test.js:should throw on a bad user': 'FAILED',
    };
    // The file also failed for a reason that is not the network: its entry stays graded.
    expect(testsNeedingNetwork(JEST, names)).toEqual(['tests/fetchStats.test.js:should fetch the real api']);
    const onlyNetwork = JEST.replace(
      'expect(received).rejects.toThrow()',
      'connect ENETUNREACH 140.82.112.6:443',
    );
    expect(testsNeedingNetwork(onlyNetwork, names)).toEqual(Object.keys(names).sort());
  });

  it('reads mocha failures spread over lines, by full title', () => {
    const names = {
      'app should inherit from event emitter': 'PASSED',
      'app should download from a mirror': 'FAILED',
      'app should 404 without routes': 'FAILED',
    };
    expect(testsNeedingNetwork(MOCHA, names)).toEqual(['app should download from a mirror']);
  });

  it('reads pytest short summaries and unittest error headers', () => {
    const py = {
      'tests/test_api.py::test_local': 'PASSED',
      'tests/test_api.py::test_remote': 'FAILED',
      'tests/test_api.py::test_parse': 'FAILED',
    };
    expect(testsNeedingNetwork(PYTEST, py)).toEqual(['tests/test_api.py::test_remote']);
    const ut = {
      'test_fetch (urls.tests.RemoteTests)': 'ERROR',
      'test_local (urls.tests.RemoteTests)': 'FAILED',
    };
    expect(testsNeedingNetwork(UNITTEST, ut)).toEqual(['test_fetch (urls.tests.RemoteTests)']);
  });

  it('never names a passing test, nor a refused connection to a local server', () => {
    expect(testsNeedingNetwork(JEST, { 'should fetch the real api': 'PASSED' })).toEqual([]);
    const local = JEST.replace('getaddrinfo ENOTFOUND api.github.com', 'connect ECONNREFUSED 127.0.0.1:3000');
    expect(testsNeedingNetwork(local, { 'should fetch the real api': 'FAILED' })).toEqual([]);
  });
});
