#!/bin/sh
# Makes the simulator's test-pattern clips in assets/sim/: one per aspect ratio
# the models accept and per variant (a, b, c: another hue and the letter
# stamped on the frame; the simulator gives the takes of one prompt variants
# in turn), so a storyboard of simulated takes shows vertical
# shots vertical and takes apart. Each is 32 frames of H.264 (baseline: no
# B-frames, so no ctts) with no audio and no edit list; src/sim/content.ts
# stretches them to the requested duration by rewriting the frame durations
# (stts) and the durations in the moov, which is why the layout must stay
# this simple. Run from the repository root; the output is reproducible
# (bitexact, no metadata) with the same ffmpeg build.
set -eu
out=assets/sim
mkdir -p "$out"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
for shape in 16x9:256x144 9x16:144x256 1x1:176x176 4x3:192x144 3x4:144x192 21x9:336x144; do
  ratio=${shape%%:*}
  size=${shape#*:}
  for variant in a:0 b:120 c:240; do
    letter=${variant%%:*}
    hue=${variant#*:}
    label="$(echo "$ratio" | sed 's/x/\\:/')  $(echo "$letter" | tr abc ABC)"
    ffmpeg -hide_banner -loglevel error -nostdin \
      -f lavfi -i "testsrc2=size=$size:rate=8:duration=4" \
      -vf "hue=h=$hue,drawtext=fontfile=$font:text='$label':fontsize=14:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=4:x=(w-tw)/2:y=h-th-10" \
      -c:v libx264 -profile:v baseline -preset veryslow -crf 40 -g 32 -pix_fmt yuv420p \
      -video_track_timescale 8000 -use_editlist 0 -movflags +faststart \
      -map_metadata -1 -fflags +bitexact -flags:v +bitexact -y "$out/$ratio-$letter.mp4"
  done
done
du -cb "$out"/*.mp4 | tail -1
