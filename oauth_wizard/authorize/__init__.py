"""authorize"""
