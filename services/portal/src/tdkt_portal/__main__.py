from tdkt_portal.service import main

main()
