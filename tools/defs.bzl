"""Bazel glue of the package (Bazel 4.2.3): experiment runs, claim verdicts
and the report, each as a build action so that Bazel caches them
(--disk_cache, --remote_cache) and runs them side by side (--jobs); run_list
hands the same runs to a Slurm cluster (tools/cluster/). paper/design.md,
"Data flow".

  experiment_run(name, binary, args)  one (experiment, config, seed) run:
      `binary --out=<declared directory> --profile=<profile> <args>`.
  claim_verdict(name, test)           runs a cc_test binary as a build action
      and keeps its gtest XML, exit code and log, whether it passed or not.
  paper_report(name, generator, runs, verdicts, srcs, external_runs)
      a runnable target: the report generator with an inputs file listing the
      runs, the verdicts and the literate text (paper/*.md); with
      external_runs, the runs are read from --results=<dir> instead.
  run_list(name, runs)                the runs as a table (binary, arguments)
      for a scheduler outside Bazel (tools/cluster/slurm_submit.sh).

Profiles: every experiment_run runs the `quick` profile unless the build has
`--define=profile=paper` (config_setting //tools:profile_paper; `--config=paper`
in .bazelrc).

Provenance: an experiment action does not read Bazel's volatile workspace
status (ctx.version_file), so manifests written under Bazel record
git_commit "unknown"; the report
records the commit of the tree it is generated from. Measured with Bazel
4.2.3: with ctx.version_file as an input, the local action cache does not
rerun the action when only the status changes, but the --disk_cache /
--remote_cache key includes the file's content, and that content always
changes (BUILD_TIMESTAMP): every fresh output base, CI machine or remote
executor would rerun every experiment, even at the same commit. Without it,
a run is shared through the disk or remote cache until its binary or
arguments change.
"""

ExperimentRunInfo = provider(
    doc = "One experiment run: its output directory and how it was made.",
    fields = {
        "dir": "File: the declared output directory (a results root).",
        "binary": "Label of the experiment binary.",
        "executable": "File: the experiment binary itself (the one the action runs).",
        "args": "list of str: the arguments after --out.",
        "profile": "str: quick or paper.",
    },
)

ClaimVerdictInfo = provider(
    doc = "The outcome of running one claim test as a build action.",
    fields = {
        "test": "Label of the cc_test.",
        "xml": "File: gtest XML (empty if the test wrote none).",
        "exit_code": "File: the test's exit code, one decimal line.",
        "log": "File: the test's stdout and stderr.",
    },
)

def _experiment_run_impl(ctx):
    out = ctx.actions.declare_directory(ctx.label.name)
    args = ["--out=" + out.path, "--profile=" + ctx.attr.profile] + ctx.attr.run_args
    ctx.actions.run(
        executable = ctx.attr.binary[DefaultInfo].files_to_run,
        arguments = args,
        outputs = [out],
        # No workspace status input (see the top of this file): manifests
        # made here record git_commit "unknown"; the report records the
        # commit of the tree it is generated from.
        env = {"OPENBLAS_NUM_THREADS": "1"},
        mnemonic = "ExperimentRun",
        progress_message = "Running experiment %s (%s profile)" % (ctx.label, ctx.attr.profile),
    )
    return [
        DefaultInfo(files = depset([out])),
        ExperimentRunInfo(
            dir = out,
            binary = ctx.attr.binary.label,
            executable = ctx.executable.binary,
            args = args[1:],
            profile = ctx.attr.profile,
        ),
    ]

_experiment_run = rule(
    implementation = _experiment_run_impl,
    attrs = {
        # The target configuration: the very binary `bazel run` runs by hand.
        "binary": attr.label(executable = True, cfg = "target", mandatory = True),
        "run_args": attr.string_list(),
        "profile": attr.string(mandatory = True, values = ["quick", "paper"]),
    },
    doc = "One (experiment, config, seed) run as one action; see experiment_run.",
)

def experiment_run(name, binary, args = [], profile = None, **kwargs):
    """One experiment run: `binary --out=<dir> --profile=<profile> <args>`.

    The profile is `quick`, or `paper` under `--define=profile=paper`
    (`--config=paper`, `--config=paper_one_seed`), unless `profile` says
    otherwise.

    Args:
      name: target name; also the name of the output directory.
      binary: the experiment's cc_binary.
      args: the run's other flags (config and seed), e.g. ["--seeds=1", "--d=5"].
      profile: None (the profile above), or the binary's profile, "quick" or
        "paper", or a select() of them: the boundaries' grid
        (reports/boundaries.bzl) runs the paper's settings under
        --config=boundaries, where every other run keeps the quick profile.
      **kwargs: common attributes (tags, visibility, testonly).
    """
    if profile == None:
        profile = select({
            "//tools:profile_paper": "paper",
            "//conditions:default": "quick",
        })
    _experiment_run(
        name = name,
        binary = binary,
        run_args = args,
        profile = profile,
        **kwargs
    )

# Runs the test from its runfiles directory with the environment a test
# expects, records its exit code, and always succeeds itself.
_VERDICT_SCRIPT = """\
exe="$PWD/$1"; xml="$PWD/$2"; code="$PWD/$3"; log="$PWD/$4"; ws="$5"; limit="$6"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/claim_verdict.XXXXXX")" || exit 1
runfiles="$exe.runfiles"
if [ -d "$runfiles/$ws" ]; then cd "$runfiles/$ws"; fi
rm -f "$xml"
TEST_TMPDIR="$tmp" TEST_SRCDIR="$runfiles" RUNFILES_DIR="$runfiles" \\
  TEST_WORKSPACE="$ws" XML_OUTPUT_FILE="$xml" GTEST_OUTPUT="xml:$xml" \\
  timeout -k 10 "$limit" "$exe" >"$log" 2>&1 </dev/null
echo "$?" >"$code"
[ -f "$xml" ] || : >"$xml"
rm -rf "$tmp"
exit 0
"""

def _claim_verdict_impl(ctx):
    xml = ctx.actions.declare_file(ctx.label.name + ".xml")
    code = ctx.actions.declare_file(ctx.label.name + ".exit_code")
    log = ctx.actions.declare_file(ctx.label.name + ".log")
    exe = ctx.executable.test
    ctx.actions.run_shell(
        command = _VERDICT_SCRIPT,
        arguments = [exe.path, xml.path, code.path, log.path, ctx.workspace_name, str(ctx.attr.timeout_s)],
        tools = [ctx.attr.test[DefaultInfo].files_to_run],
        outputs = [xml, code, log],
        env = {"PATH": "/bin:/usr/bin", "OPENBLAS_NUM_THREADS": "1"},
        mnemonic = "ClaimVerdict",
        progress_message = "Running claim test %s" % ctx.attr.test.label,
    )
    return [
        DefaultInfo(files = depset([xml, code, log])),
        ClaimVerdictInfo(test = ctx.attr.test.label, xml = xml, exit_code = code, log = log),
    ]

_claim_verdict = rule(
    implementation = _claim_verdict_impl,
    attrs = {
        "test": attr.label(executable = True, cfg = "target", mandatory = True),
        "timeout_s": attr.int(default = 900, doc = "Time limit; a test killed by it exits 124."),
    },
    doc = "Runs a claim's cc_test as a build action; see claim_verdict.",
)

def claim_verdict(name, test, **kwargs):
    """Runs the cc_test `test` as a build action and keeps what it said.

    Outputs <name>.xml (gtest XML; empty when the test wrote none, e.g. it
    crashed), <name>.exit_code and <name>.log. The action succeeds whether
    the test passed or failed: the report reads the verdict from these files.
    The test runs in its runfiles directory with TEST_SRCDIR, RUNFILES_DIR,
    TEST_WORKSPACE and TEST_TMPDIR set, as under `bazel test`, and is killed
    after timeout_s seconds (exit code 124).

    Args:
      name: target name.
      test: a cc_test (GoogleTest main).
      **kwargs: common attributes (timeout_s, tags, visibility).
    """
    kwargs.setdefault("testonly", True)
    _claim_verdict(name = name, test = test, **kwargs)

_LAUNCHER = """\
#!/bin/bash
# Made by paper_report (tools/defs.bzl) for {label}: runs the report
# generator on the inputs listed in {inputs}. Under `bazel run` it writes
# $BUILD_WORKSPACE_DIRECTORY/reports/out unless given --out=<dir>; elsewhere pass --out.
set -euo pipefail
# A relative --results names a directory where the command was typed.
here="${{BUILD_WORKING_DIRECTORY:-$PWD}}"
args=()
for a in "$@"; do
  if [[ "$a" == --results=?* && "$a" != --results=/* ]]; then a="--results=$here/${{a#--results=}}"; fi
  args+=("$a")
done
if [[ -d "$0.runfiles/{ws}" ]]; then
  cd "$0.runfiles/{ws}"
elif [[ -n "${{RUNFILES_DIR:-}}" && -d "$RUNFILES_DIR/{ws}" ]]; then
  cd "$RUNFILES_DIR/{ws}"
fi
defaults=()
if [[ -n "${{BUILD_WORKSPACE_DIRECTORY:-}}" ]]; then
  defaults=(--workspace="$BUILD_WORKSPACE_DIRECTORY")
  # reports/out unless the caller names another --out.
  own_out=no
  for a in "$@"; do [[ "$a" == --out=* ]] && own_out=yes; done
  [[ "$own_out" == yes ]] || defaults+=(--out="$BUILD_WORKSPACE_DIRECTORY/{out}")
fi
exec {generator} --inputs={inputs} --katex={katex} --gnuplot={gnuplot} --dot={dot} "${{defaults[@]}}" "${{args[@]}}"
"""

def _paper_report_impl(ctx):
    runs = [r[ExperimentRunInfo] for r in ctx.attr.runs]
    run_labels = [r.label for r in ctx.attr.runs]
    verdicts = [v[ClaimVerdictInfo] for v in ctx.attr.verdicts]
    verdict_labels = [v.label for v in ctx.attr.verdicts]
    inputs = ctx.actions.declare_file(ctx.label.name + ".inputs.json")
    fields = {}
    if ctx.attr.config:
        # The --config the report is built with, for its "Regenerate" commands.
        fields["config"] = ctx.attr.config
    if ctx.attr.external_runs:
        # The generator reads run <name> from <--results>/<name>.
        fields["results"] = "external"
    ctx.actions.write(inputs, struct(
        report = str(ctx.label),
        runs = [
            struct(
                target = str(label),
                binary = str(r.binary),
                dir = label.name if ctx.attr.external_runs else r.dir.short_path,
                args = r.args,
                profile = r.profile,
            )
            for label, r in zip(run_labels, runs)
        ],
        verdicts = [
            struct(
                target = str(label),
                test = str(v.test),
                xml = v.xml.short_path,
                exit_code = v.exit_code.short_path,
                log = v.log.short_path,
            )
            for label, v in zip(verdict_labels, verdicts)
        ],
        papers = [f.short_path for f in ctx.files.srcs],
        **fields
    ).to_json() + "\n")
    launcher = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.write(launcher, _LAUNCHER.format(
        label = str(ctx.label),
        ws = ctx.workspace_name,
        out = ctx.attr.out,
        generator = ctx.executable.generator.short_path,
        inputs = inputs.short_path,
        katex = ctx.attr.katex,
        gnuplot = ctx.attr.gnuplot,
        dot = ctx.attr.dot,
    ), is_executable = True)
    files = [inputs] + ctx.files.srcs + ([] if ctx.attr.external_runs else [r.dir for r in runs])
    for v in verdicts:
        files += [v.xml, v.exit_code, v.log]
    runfiles = ctx.runfiles(files = files).merge(ctx.attr.generator[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = launcher, runfiles = runfiles)]

paper_report = rule(
    implementation = _paper_report_impl,
    executable = True,
    attrs = {
        "generator": attr.label(executable = True, cfg = "target", mandatory = True),
        "runs": attr.label_list(providers = [ExperimentRunInfo]),
        "verdicts": attr.label_list(providers = [ClaimVerdictInfo]),
        "srcs": attr.label_list(allow_files = [".md"], doc = "The literate text, in order."),
        "config": attr.string(
            doc = "The --config the report is built with (a select() over the profiles; \"\" " +
                  "for none): the report's commands to regenerate itself and its figures name it.",
        ),
        "external_runs": attr.bool(
            default = False,
            doc = "Read the runs from a results directory given as --results=<dir> " +
                  "(<dir>/<run target name>/, e.g. written by tools/cluster/slurm_submit.sh) " +
                  "instead of building them: only the claim tests run as build actions.",
        ),
        "out": attr.string(default = "reports/out", doc = "Output, relative to the workspace."),
        "katex": attr.string(default = "/usr/share/javascript/katex"),
        "gnuplot": attr.string(default = "gnuplot"),
        "dot": attr.string(default = "dot"),
    },
    doc = "The report generator, runnable with `bazel run`, over the given runs and verdicts.",
)

def _run_list_impl(ctx):
    lines = []
    for r in ctx.attr.runs:
        info = r[ExperimentRunInfo]
        for a in info.args:
            if "\t" in a or "\n" in a:
                fail("%s: argument %r holds a tab or a newline" % (r.label, a))
        lines.append("\t".join([r.label.name, info.executable.short_path] + info.args))
    out = ctx.outputs.table
    ctx.actions.write(out, "".join([line + "\n" for line in lines]))
    exes = depset([r[ExperimentRunInfo].executable for r in ctx.attr.runs])
    return [DefaultInfo(
        files = depset([out], transitive = [exes]),
        runfiles = ctx.runfiles(transitive_files = depset([out], transitive = [exes])),
    )]

run_list = rule(
    implementation = _run_list_impl,
    attrs = {
        "runs": attr.label_list(providers = [ExperimentRunInfo]),
    },
    # A predeclared output, so that <name>.tsv is a label of its own.
    outputs = {"table": "%{name}.tsv"},
    doc = """The runs of experiment_run targets as a table, without running them.

Writes <name>.tsv, one line per run, fields separated by tabs: the run
target's name, the binary's path below bazel-bin, then the binary's
arguments after --out (--profile=<profile> first). Building the target
builds the binaries, not the runs. tools/cluster/slurm_submit.sh submits
such a table as a Slurm job array; the run of line i is
`<binary> --out=<results>/<name> <arguments>`, the very command the
experiment_run action runs.
""",
)
