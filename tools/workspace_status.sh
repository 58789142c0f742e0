#!/usr/bin/env bash
# Workspace status for Bazel: the git commit is a volatile key, so a new
# commit alone never invalidates a cached experiment run.
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git diff --quiet HEAD 2>/dev/null; then
  commit="$commit-dirty"
fi
echo "GIT_COMMIT $commit"
