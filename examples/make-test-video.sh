#!/usr/bin/env bash
# Makes a 12-second test video for the Clips examples with the ffmpeg the server would pick
# (LONGRUN_FFMPEG, else the PATH's, else the one `npm install` brings): a test pattern
# that cuts to colour bars at 6 s over a 440 Hz tone, so the analysis finds two candidate
# segments (00:00–00:06 and 00:06–00:12). Captions for it: examples/talk.srt.
#
#   VIDEO=$(examples/make-test-video.sh)             # writes talk.mp4 in a new temporary folder
#   examples/make-test-video.sh /tmp/talk.mp4        # or where you say
#
# Prints the path of the file it wrote.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ffmpeg=${LONGRUN_FFMPEG:-$(command -v ffmpeg || (cd "$here" && node -p "require('@ffmpeg-installer/ffmpeg').path"))}
out=${1:-$(mktemp -d)/talk.mp4}
"$ffmpeg" -y -hide_banner -loglevel error \
  -f lavfi -i testsrc=size=320x240:rate=25:duration=6 \
  -f lavfi -i smptebars=size=320x240:rate=25:duration=6 \
  -f lavfi -i sine=frequency=440:sample_rate=44100:duration=12 \
  -filter_complex '[0:v][1:v]concat=n=2:v=1:a=0[v]' \
  -map '[v]' -map 2:a -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$out"
echo "$out"
