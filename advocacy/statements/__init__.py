"""Statement tracking: which offices have spoken, the public scoreboard, and the press-release monitor."""
