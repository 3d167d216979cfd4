// Firebase Auth + Firestore (client SDK): sign-in, and reads that go
// through the security rules.
import { initializeApp } from 'firebase/app';
import {
  getAuth, connectAuthEmulator, onAuthStateChanged, signInAnonymously,
  signInWithEmailAndPassword, createUserWithEmailAndPassword, signOut,
} from 'firebase/auth';
import {
  getFirestore, connectFirestoreEmulator, doc, getDoc, collection, query, where, orderBy, getDocs,
} from 'firebase/firestore';

export function initFirebase(config) {
  const app = initializeApp(config.firebase);
  const auth = getAuth(app);
  const db = getFirestore(app);
  if (config.emulators) {
    connectAuthEmulator(auth, config.emulators.auth, { disableWarnings: true });
    connectFirestoreEmulator(db, config.emulators.firestore.host, config.emulators.firestore.port);
  }
  return { auth, db };
}

export function watchUser(auth, callback) {
  return onAuthStateChanged(auth, callback);
}

export async function signInWithEmail(auth, email, password, create) {
  if (create) return createUserWithEmailAndPassword(auth, email, password);
  return signInWithEmailAndPassword(auth, email, password);
}

export const signInAsGuest = (auth) => signInAnonymously(auth);
export const logOut = (auth) => signOut(auth);

export async function readMission(db, uid, missionId) {
  const mission = await getDoc(doc(db, 'missions', missionId));
  if (!mission.exists()) return null;
  const enrollment = await getDoc(doc(db, 'enrollments', `${uid}_${missionId}`));
  return { mission: mission.data(), enrollment: enrollment.exists() ? enrollment.data() : null };
}

export async function readMyMissions(db, uid) {
  const enrollments = await getDocs(query(collection(db, 'enrollments'), where('user_id', '==', uid)));
  const rows = await Promise.all(enrollments.docs.map(async (e) => {
    const mission = await getDoc(doc(db, 'missions', e.data().mission_id));
    return mission.exists() ? { mission: mission.data(), enrollment: e.data() } : null;
  }));
  return rows.filter(Boolean).sort((a, b) => (b.enrollment.enrolled_at || '').localeCompare(a.enrollment.enrolled_at || ''));
}

// The conversation: learner turns and agent replies, merged by their shared sequence.
export async function readTurns(db, sessionId) {
  const [turns, replies] = await Promise.all(['turns', 'replies'].map(
    (name) => getDocs(query(collection(db, 'sessions', sessionId, name), orderBy('seq')))));
  return [...turns.docs, ...replies.docs].map((d) => d.data()).sort((a, b) => a.seq - b.seq);
}
