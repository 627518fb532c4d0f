"""Benchmarks. Each prints its figures; none asserts a time. Run with ``make bench``.

No benchmarks yet: the first arrive with the credential core and the city dashboards.
"""

if __name__ == "__main__":
    print("No benchmarks yet.")
