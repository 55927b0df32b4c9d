from tdkt_reporting.service import main

main()
