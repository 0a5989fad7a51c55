#!/usr/bin/env bash
# bench/quality.sh's scoring (bench/quality_score.py) on a hand-made meeting: ROUGE,
# citation precision through the turn alignment, topic coverage, language, cutting.
set -eu
cd "$(dirname "$0")/../.."
python3 bench/quality_score.py --self-test
bash bench/quality.sh 2>&1 | grep -q "no model given"
