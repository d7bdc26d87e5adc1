from raci_gen.cli import main

main()
