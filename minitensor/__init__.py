"""minitensor"""
