#!/usr/bin/env bash
# A sweep as a Slurm job array: each array task runs its slice of the grid (antidote reads SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT), all tasks share the run folder on a shared file system and write one results store.
# A backdoored model that several tasks need is trained once (the others wait on its lock); a task that is killed or
# requeued resumes with every finished run kept.
#   sbatch deploy/slurm-sweep.sh examples/paper-table.yaml
#SBATCH --job-name=antidote-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=8
#SBATCH --gres=gpu:1
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=antidote-sweep-%A_%a.log
set -euo pipefail
grid="${1:?usage: sbatch deploy/slurm-sweep.sh GRID.yaml}"
# PostgreSQL suits many nodes (export ANTIDOTE_STORE="Host=db;Database=antidote;Username=antidote;Password=..."); without
# it the SQLite file results.db beside the runs is used, which needs a file system with working POSIX locks.
store_args=()
if [ -n "${ANTIDOTE_STORE:-}" ]; then store_args=(--store "$ANTIDOTE_STORE"); fi
exec ./antidote sweep "$grid" --threads "${SLURM_CPUS_PER_TASK:-0}" "${store_args[@]}"
