from olfato.cli import main

main()
