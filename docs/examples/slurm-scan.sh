#!/bin/bash
# A Slurm array job sweeping an archive: each task scans its shard of the sorted file list
# (every file in exactly one shard), and the shards' NDJSON files are concatenated afterwards.
#   sbatch --array=0-19 docs/examples/slurm-scan.sh /archive/captures /results
#   cat /results/shard-*.ndjson > /results/findings.ndjson
#SBATCH --job-name=flowladder-scan
#SBATCH --cpus-per-task=4
set -euo pipefail
archive=${1:?archive folder}
results=${2:?results folder}
task=${SLURM_ARRAY_TASK_ID:?run as an array job}
tasks=${SLURM_ARRAY_TASK_COUNT:?run as an array job}
mkdir -p "$results"
exec flowladder-cli scan "$archive" --shard "$task/$tasks" --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    --no-progress --out "$results/shard-$task.ndjson"
