"""`python -m giamngheo …` is the `giamngheo` command (where the environment's scripts are not on PATH).

Nothing is imported above the guard: a parsing process (spawn) imports this module as its own main, and must stay light.
"""

if __name__ == "__main__":
    from giamngheo.cli import console

    console()
