#!/usr/bin/env bash
# What `npm test` does before the tests: the images the integration tests use (`npm run test:images`: apt and
# npm downloads, Docker layers) are built while nx builds, typechecks and lints every package (the CPU), instead
# of one after the other. The test run that follows finds both done: nx's cache, and the images by their hash.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run --silent test:images &
images=$!
npx nx run-many -t build typecheck lint --output-style=stream-without-prefixes
status=$?
wait "$images"
images_status=$?
exit $(( status ? status : images_status ))
