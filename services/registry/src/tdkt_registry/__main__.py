from tdkt_registry.service import main

main()
