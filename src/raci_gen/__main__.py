from raci_gen.cli import run

run()
