"""Makes the demo's coaching and pitch videos: spoken lines on title cards, WebM (VP9 + Opus).

Run once by a developer, not by ``seed_demo``: the small files it writes are committed beside it.
Needs ffmpeg (``pip install imageio-ffmpeg`` ships one) and espeak-ng (``apt-get install
espeak-ng``)::

    FFMPEG=/path/to/ffmpeg .venv/bin/python coaching/demo_media/make_demo_media.py

Each talk says line N from second ``1 + 7 N``, which is where ``coaching.demo_content.transcript_for``
puts cue N, so the transcript and the captions match what is heard and shown.
"""

from __future__ import annotations

import array
import os
import subprocess
import sys
import tempfile
import textwrap
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from coaching.demo_content import (  # noqa: E402
    CUE_SECONDS,
    PITCH_TAKES,
    TALKS,
    cue_start,
    pitch_media_name,
    talk_media_name,
    talk_poster_name,
)

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
RATE = 22050
COLOURS = ["0x1f4e79", "0x385723", "0x7b2c2c", "0x4b3b6b", "0x2f5f5f", "0x5c4a1f", "0x264653", "0x6d2e46"]


def speak(text: str, folder: Path, number: int) -> array.array:
    """16-bit mono samples of espeak-ng saying ``text``."""
    target = folder / f"line-{number}.wav"
    subprocess.run(["espeak-ng", "-s", "165", "-w", str(target), text], check=True)
    with wave.open(str(target)) as clip:
        assert clip.getframerate() == RATE and clip.getsampwidth() == 2 and clip.getnchannels() == 1
        return array.array("h", clip.readframes(clip.getnframes()))


def soundtrack(lines: list[str], folder: Path, seconds: float) -> Path:
    """Silence with line N starting at its cue's second."""
    samples = array.array("h", bytes(2 * int(seconds * RATE)))
    for number, line in enumerate(lines):
        voice = speak(line, folder, number)
        limit = int((CUE_SECONDS - 0.5) * RATE)
        if len(voice) > limit:
            raise SystemExit(f"Too long to say in {CUE_SECONDS - 0.5} s: {line!r}")
        start = int(cue_start(number) * RATE)
        samples[start : start + len(voice)] = voice
    target = folder / "soundtrack.wav"
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())
    return target


def _text_file(folder: Path, name: str, text: str, width: int) -> str:
    path = folder / name
    path.write_text("\n".join(textwrap.wrap(text, width)))
    return str(path)


def make_video(target: Path, *, heading: str, lines: list[str], colour: str, ffmpeg: str) -> None:
    seconds = len(lines) * CUE_SECONDS + 2
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        audio = soundtrack(lines, folder, seconds)
        filters = [
            f"drawtext=fontfile={BOLD}:textfile={_text_file(folder, 'heading.txt', heading, 34)}"
            ":fontcolor=white:fontsize=26:x=32:y=28:line_spacing=6",
            f"drawtext=fontfile={FONT}:text='Huddle coaching':fontcolor=white@0.7:fontsize=16:x=32:y=h-40",
            # m:ss, changing once a second: the player's own clock can be checked against it.
            f"drawtext=fontfile={FONT}:fontcolor=white@0.8:fontsize=16:x=w-tw-32:y=h-40:"
            r"text='%{eif\:trunc(t/60)\:d}\:%{eif\:mod(trunc(t)\,60)\:d\:2}'",
        ]
        for number, line in enumerate(lines):
            start = cue_start(number)
            end = start + CUE_SECONDS - 0.5
            filters.append(
                f"drawtext=fontfile={FONT}:textfile={_text_file(folder, f'cue-{number}.txt', line, 38)}"
                f":fontcolor=white:fontsize=24:x=32:y=130:line_spacing=8"
                f":enable='between(t,{start},{end})'"
            )
        subprocess.run(
            [
                ffmpeg, "-v", "error", "-y",
                "-f", "lavfi", "-i", f"color=c={colour}:s=640x360:r=8:d={seconds}",
                "-i", str(audio),
                "-vf", ",".join(filters),
                "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "48", "-g", "40", "-row-mt", "1",
                "-deadline", "good", "-cpu-used", "4",
                "-c:a", "libopus", "-b:a", "16k", "-ac", "1",
                "-shortest", str(target),
            ],
            check=True,
        )  # fmt: skip


def make_poster(video: Path, target: Path, *, ffmpeg: str) -> None:
    """A still of the talk's first line, for the video's card and the player before it starts."""
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-ss", "3", "-i", str(video), "-frames:v", "1",
         "-vf", "scale=480:-2", "-q:v", "6", str(target)],
        check=True,
    )  # fmt: skip


def main() -> None:
    ffmpeg = os.environ.get("FFMPEG", "ffmpeg")
    for number, (title, _skills, _stage, _series, lines) in enumerate(TALKS):
        target = HERE / talk_media_name(title)
        make_video(target, heading=title, lines=lines, colour=COLOURS[number % len(COLOURS)], ffmpeg=ffmpeg)
        make_poster(target, HERE / talk_poster_name(title), ffmpeg=ffmpeg)
        sys.stderr.write(f"{target.name}: {target.stat().st_size // 1024} KB\n")
    for number, (heading, lines) in enumerate(PITCH_TAKES):
        target = HERE / pitch_media_name(number)
        make_video(target, heading=heading, lines=lines, colour="0x333333", ffmpeg=ffmpeg)
        sys.stderr.write(f"{target.name}: {target.stat().st_size // 1024} KB\n")


if __name__ == "__main__":
    main()
