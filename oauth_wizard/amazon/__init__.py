"""amazon"""
