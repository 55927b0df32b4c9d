"""The web console (cổng thông tin): server-rendered pages over the four services' APIs, and the public honour roll."""
