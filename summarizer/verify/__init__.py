"""What the model proposed, checked against the text: claims, summary sentences and key
points, each kept with its evidence or rejected with a reason."""
