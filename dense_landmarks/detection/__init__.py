"""Face detection (BlazeFace, converted from MediaPipe; Apache-2.0)."""

from dense_landmarks.detection.detector import KEYPOINTS, Detection, FaceDetector, landmark_crop

__all__ = ["KEYPOINTS", "Detection", "FaceDetector", "landmark_crop"]
