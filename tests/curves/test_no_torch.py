import subprocess
import sys


def test_importing_curves_does_not_import_torch():
    code = (
        "import sys, curves, curves.spline, curves.budget, curves.regions, curves.distance;"
        "bad = [m for m in ('torch', 'cv2') if m in sys.modules];"
        "sys.exit(f'curves imported {bad}' if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr or proc.stdout
