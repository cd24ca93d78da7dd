from accesspub.cli import main

main()
