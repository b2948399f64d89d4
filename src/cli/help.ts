/** The text of `dpo-run --help`. */
export const HELP = `dpo-run: a declarative experiment runner for preference optimization (DPO, PPO, best-of-N)

Usage:
  dpo-run PIPELINE [options]       run a pipeline (a YAML file); prints the run folder (or the
                                   sweep folder) on stdout at the end, everything else on stderr
  dpo-run validate FILE... [--json] [--set ...] [--sweep ...]
                                   check pipelines against the schemas and the cross-stage
                                   rules, and that the data files and model folders they
                                   read exist
  dpo-run report FOLDER            write report.md, frontier.svg and win_rates.svg for a run
                                   folder (or merge the runs of a sweep folder)
  dpo-run verify [FOLDER]          check the cache entries of a run folder, a cache folder
                                   (default runs/cache) or one entry against the sizes and
                                   sha256 each cache-entry.json records; exit 1 if any is damaged
  dpo-run status FOLDER            a run's status and each stage's (marks a run whose process
                                   was killed as interrupted); for a run on Slurm, each job's
                                   state, node, elapsed time, last step, exit code and log
  dpo-run runs [RUNS_DIR]          list the runs (default runs/): pipeline, start, status,
                                   sweep values, overrides, wall time, headline figure
  dpo-run compare RUN RUN...       the settings that differ and the figures side by side;
  dpo-run compare SWEEP_FOLDER     or the runs of a sweep
  dpo-run cache [--runs-dir DIR]   the cache's size by kind, and the entries no run uses
  dpo-run cache prune [--keep-last N | --older-than D] [--dry-run] [--runs-dir DIR]
                                   delete unused entries (all, all but the N newest, or
                                   those older than D: 45m, 12h, 30d, 2w); never one a
                                   running job holds the lock of, nor a .partial folder
  dpo-run env                      versions (dpo-run, Node, TensorFlow.js), backend, native
                                   kernels, BLAS, CPU: for bug reports
  dpo-run run-instance RUN ID      run one stage instance of a run submitted with --launcher
                                   slurm (what each Slurm job runs) or run with --isolate
  dpo-run help                     show this text (also --help); --version: dpo-run's version

Options of a run:
  --set PATH=VALUE          override one value of the pipeline, parsed as YAML (repeatable),
                            e.g. --set stages.sft.train.epochs=1; also written
                            --set PATH VALUE, or bare as PATH=VALUE (as in Hydra). Setting a
                            value the file sweeps (stages.dpo.beta with sweep: {beta: [...]})
                            replaces that sweep: the plan says so in a note
  --set ~PATH               remove a key (also bare: ~stages.dpo.sweep)
  --sweep PATH=V1,V2,...    sweep a value (repeatable). Any path inside a stage, however
                            deep (stages.dpo.beta=0.05,0.1, stages.sft.train.lr=1e-3,3e-3)
                            makes one instance of that stage per value (dpo[beta=0.05],
                            sft[train.lr=0.001]), in one run; any other path (seed=0,1,2)
                            makes one run per value (the product over several) under one
                            sweep folder
  --only STAGE,...          run only these stages and the stages they need (from the cache
                            when it holds them)
  --force STAGE,...|all     rerun these stages even if the cache holds them; their old
                            cache entries are replaced only when the rerun succeeds
  --dry-run                 print every stage instance in order, its cache entry
                            (kind-fingerprint), whether the cache holds it, and its memory
                            estimate (mem ~1.9 GB (weights, grads, optimizer, activations,
                            caches) of the machine's N GB, or of the wasm heap's 3.5 GB), on
                            stdout; run nothing (a missing data file or model folder: exit 2)
  --skip-memory-check       run even when a stage instance's memory estimate exceeds what
                            the backend can use (a run stops before any stage, exit 2,
                            otherwise); also DPO_RUN_SKIP_MEMORY_CHECK=1
  --runs-dir DIR            where runs and the cache go (default: runs/)
  --backend NAME            auto, tensorflow-gpu, tensorflow, native-cpu, wasm or cpu
                            (default: the pipeline's backend, else auto, which takes the
                            first of these that is installed)
  --launcher local|slurm    local (default): run here; slurm: submit one sbatch job per stage
                            instance the cache lacks, after the jobs of the instances it uses,
                            and return (runs/ must be on a file system every node shares;
                            settings in the pipeline's launcher section or --set launcher.KEY=V)
  --wait                    with --launcher slurm: follow the jobs until the run ends
  --isolate                 local launcher: run each stage instance to compute in its own
                            child process (dpo-run run-instance), so that a crash or the OOM
                            killer fails that instance only; costs about 2.5 s per instance
                            (child start-up and backend load; quick.yaml: 11.1 s against 6.0 s).
                            The default when an instance is estimated above 2 GB (GPT-2 small)
  --no-isolate              run every instance in this process, however large

Options of validate:
  --json                    print the problems as a JSON array
  --set, --sweep            as for a run, applied to every file

Outputs:
  runs/cache/<kind>-<fingerprint>/           each stage instance's outputs, reused by any
                                              run that meets the same fingerprint
  runs/<pipeline>/<time>-<id>/               a run: pipeline.resolved.yaml, manifest.json
                                              (with the command line and versions),
                                              outputs/<instance> (links into the cache)
  runs/<pipeline>/sweep-<time>-<id>/         a command-line sweep: one run folder per value,
                                              sweep.json

Exit codes:
  0    done
  1    a stage failed (what finished is kept in the cache); or the run could not go on: a
       cache entry locked by another run, a full disk, an unwritable or missing file
       (one line names it); verify: damage found
  2    the pipeline or the command line is invalid (nothing was run)
  130  interrupted (Ctrl-C); what finished is kept, the same command again resumes (it is
       printed as "to resume: ...")
`;
