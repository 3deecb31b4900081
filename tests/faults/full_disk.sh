#!/usr/bin/env bash
# Faults during writes (issue 12): every command whose output lands on a full file system
# fails with one error line, leaves no file that looks complete but is not, and a
# fine-tune interrupted that way resumes bit-identically once space is back.
#   tests/faults/full_disk.sh CLI APP DATA_DIR WORK_DIR
# Two kinds of full disk, each over several amounts of free space so that the failure
# lands at different writes:
#   tmpfs    a 1 MB tmpfs mounted in a private mount namespace (unshare -m; needs root or
#            user namespaces), pre-filled to leave FREE bytes;
#   injected ZOSCOPE_FAULT_ENOSPC_AFTER=N (core/util/atomic_file.h): the process's writes
#            fail with ENOSPC after N bytes; always available.
# Exit 0 when every check passed; the failures are listed otherwise.
set -uo pipefail
cli="$1"; app="$2"; data="$3"; work="$4"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rm -rf "$work"; mkdir -p "$work"
fails=0
note() { echo "full_disk: $*"; }
bad() { echo "full_disk: FAIL: $*"; fails=$((fails + 1)); }

# The tiny fine-tuning spec of the resume tests: MeZO, 12 steps, a checkpoint every 4.
spec="$work/spec.json"
cat > "$spec" <<JSON
{"zoscope_finetune": 1, "model": "$data/fixtures/tiny-opt", "tokenizer": "$data/tokenizers/opt-style",
 "task": "sst2", "data": {"dir": "$data/tasks/sst2", "train": 4, "dev": 2, "test": 1}, "batch_size": 3, "seed": 5,
 "budget": {"steps": 12}, "checkpoint_every": 4, "eval_every": 3,
 "runs": [{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}}]}
JSON
exp="$work/exp.json"  # a small landscape experiment: 2 runs, 100 steps, a 320x240 figure (its run folder fits a 1 MB tmpfs)
python3 - "$exp" <<'PY'
import json, sys
e = {"zoscope_experiment": 1, "name": "full disk", "landscape": {"id": "rosenbrock"}, "budget": {"steps": 100},
     "export": {"width": 320, "height": 240},
     "runs": [{"optimizer": "mezo", "hyperparameters": {"lr": 1e-3}}, {"optimizer": "adam", "hyperparameters": {"lr": 1e-2}}]}
json.dump(e, open(sys.argv[1], "w"))
PY
if ! "$cli" run "$exp" --out "$work/ok-run" >/dev/null 2>"$work/ok-run.err"; then
  bad "the reference experiment does not run: $(cat "$work/ok-run.err")"; exit 1
fi
# The uninterrupted fine-tune every resumed one is compared with.
if ! "$cli" finetune "$spec" --out "$work/ref" >/dev/null 2>"$work/ref.err"; then
  bad "the reference fine-tune failed: $(tail -1 "$work/ref.err")"; exit 1
fi

# One command on a full disk: exit status not 0, exactly one error line on stderr (the
# program's "zoscope-cli: ..." / "zoscope: ..." line; a fine-tune's progress lines name a
# run instead, and the run that stopped says why just above), and "No space left on
# device" said; then no partial file (tests/faults/complete_files.py).
check_failure() {  # name errfile rc outdir
  local name="$1" err="$2" rc="$3" out="$4"
  if [ "$rc" -eq 0 ]; then
    # Its output fitted in the space there was (a larger budget than it needed): then
    # everything it wrote must be whole. With no space at all it must fail.
    case "$name" in *-0\ *) bad "$name: exit 0 with no space at all" ;; *) note "$name: fitted" ;; esac
    python3 "$here/complete_files.py" "$out" "$cli" || bad "$name: a file in $out looks complete but is not"
    return
  fi
  failed_once="$failed_once ${name#* }"
  local lines
  lines=$(grep -c -E "^zoscope(-cli)?: " "$err" || true)
  if [ "$lines" -ne 1 ]; then bad "$name: $lines error lines: $(tr '\n' '|' < "$err")"; fi
  if grep -q -E "frame #|terminate called|std::|Aborted" "$err"; then bad "$name: a trace or a raw exception: $(tr '\n' '|' < "$err")"; fi
  if ! grep -q "No space left on device" "$err"; then bad "$name: the error does not say the disk is full: $(tail -1 "$err")"; fi
  if ! python3 "$here/complete_files.py" "$out" "$cli"; then bad "$name: a file in $out looks complete but is not"; fi
}

# Every command once with its output on the full disk `$1` (a folder), then the
# fine-tune resumed there once `$2` (a command) has made space again.
run_commands() {  # dir free_cmd tag [env...]
  local dir="$1" free_cmd="$2" tag="$3"; shift 3
  local rc
  env "$@" "$cli" run "$exp" --out "$dir/run" >/dev/null 2>"$work/$tag-run.err"; rc=$?
  check_failure "$tag run" "$work/$tag-run.err" "$rc" "$dir/run"
  # ($dir/render: a complete run folder, copied in before the disk was filled)
  env "$@" "$cli" render "$dir/render" --png "$dir/render/again.png" --svg "$dir/render/again.svg" >/dev/null 2>"$work/$tag-render.err"; rc=$?
  check_failure "$tag render" "$work/$tag-render.err" "$rc" "$dir/render"
  env "$@" "$cli" sweep "$exp" --param "lr=1e-4:1e-2:log:3" --seeds 2 --out "$dir/sweep" >/dev/null 2>"$work/$tag-sweep.err"; rc=$?
  check_failure "$tag sweep" "$work/$tag-sweep.err" "$rc" "$dir/sweep"
  env "$@" "$cli" landscape "$spec" --out "$dir/plane" --grid 3 --examples 2 >/dev/null 2>"$work/$tag-plane.err"; rc=$?
  check_failure "$tag landscape" "$work/$tag-plane.err" "$rc" "$dir/plane"
  if [ -x "$app" ]; then
    mkdir -p "$dir/shot"
    env "$@" "$app" --headless --frames 2 --size 640x400 --screenshot "$dir/shot/shot.png" >/dev/null 2>"$work/$tag-shot.err"; rc=$?
    check_failure "$tag app-screenshot" "$work/$tag-shot.err" "$rc" "$dir/shot"
  fi
  env "$@" "$cli" finetune "$spec" --out "$dir/ft" >/dev/null 2>"$work/$tag-ft.err"; rc=$?
  check_failure "$tag finetune" "$work/$tag-ft.err" "$rc" "$dir/ft"
  # Once the fine-tune has begun (spec.json is in the folder), resuming helps -- the disk,
  # not the input, was the problem -- and the line says so; before that (the preflight's
  # write probe) the same command simply runs again.
  if [ -f "$dir/ft/spec.json" ]; then
    grep -q -- "--resume" "$work/$tag-ft.err" || bad "$tag finetune: no --resume hint: $(tr '\n' '|' < "$work/$tag-ft.err")"
  fi
  eval "$free_cmd"
  if ! "$cli" finetune "$spec" --out "$dir/ft" --resume >/dev/null 2>"$work/$tag-resume.err"; then
    bad "$tag finetune --resume after space came back: $(tail -1 "$work/$tag-resume.err")"; return
  fi
  for f in runs/mezo/final.safetensors runs/mezo/steps.log curves.csv; do
    cmp -s "$work/ref/$f" "$dir/ft/$f" || bad "$tag finetune resumed: $f differs from the uninterrupted run"
  done
  note "$tag: resumed fine-tune bit-identical (final.safetensors, steps.log, curves.csv)"
}

# Injected: budgets that end inside the first files, inside the run files and checkpoints.
failed_once=""
for n in 0 3000 40000 300000 700000; do
  d="$work/inj-$n"; mkdir -p "$d"
  cp -r "$work/ok-run" "$d/render"
  run_commands "$d" ":" "injected-$n" ZOSCOPE_FAULT_ENOSPC_AFTER="$n"
done
for c in run render sweep landscape app-screenshot finetune; do
  case " $failed_once " in *" $c "*) ;; *) bad "$c never met the full disk" ;; esac
done

# tmpfs: a real full file system, when this machine lets us mount one.
if unshare -m true 2>/dev/null && unshare -m sh -c "mount -t tmpfs -o size=4k tmpfs '$work' && umount '$work'" 2>/dev/null; then
  for free in 0 16384 600000; do
    d="$work/tmpfs-$free"; mkdir -p "$d"
    # The whole check runs in the private namespace (the mount vanishes with it); space
    # comes back by deleting the filler and growing the tmpfs to 64 MB (a 1 MB one cannot
    # hold the tiny model's checkpoint and final weights together).
    unshare -m bash -c "
      mount -t tmpfs -o size=1m tmpfs '$d' || exit 200
      cp -r '$work/ok-run' '$d/render' 2>/dev/null || rm -rf '$d/render'
      avail=\$(stat -f -c '%a*%S' '$d'); avail=\$((avail))
      fill=\$(( avail > $free ? avail - $free : 0 ))
      head -c \$fill /dev/zero > '$d/filler' 2>/dev/null
      $(declare -f note bad check_failure run_commands)
      cli='$cli'; app='$app'; work='$work'; exp='$exp'; spec='$spec'; here='$here'; fails=0; failed_once=''
      run_commands '$d' 'rm -f $d/filler; mount -o remount,size=64m $d' 'tmpfs-$free'
      exit \$(( fails > 100 ? 100 : fails ))
    "
    rc=$?
    if [ "$rc" -eq 200 ]; then note "tmpfs: mount failed; injected faults only"; break; fi
    fails=$((fails + rc))
  done
else
  note "tmpfs: this machine does not allow mounting one (no root / user namespaces): injected faults only"
fi

if [ "$fails" -eq 0 ]; then echo "full_disk: PASS"; else echo "full_disk: $fails failure(s)"; fi
[ "$fails" -eq 0 ]
