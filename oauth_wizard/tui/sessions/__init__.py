"""tui.sessions"""
