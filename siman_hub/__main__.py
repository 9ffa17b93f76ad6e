from .cli import main

main(prog_name="siman-hub")
