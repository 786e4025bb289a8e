"""`python -m webui.cli`: the `aiguillage` command without its installed script (a checkout not installed with pip)."""

from webui.cli import main

if __name__ == "__main__":
    main(prog_name="aiguillage")
